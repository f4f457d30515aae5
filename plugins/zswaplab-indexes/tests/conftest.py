import pytest

from indexes_factories import FACTORIES


@pytest.fixture(params=sorted(FACTORIES))
def make_index(request):
    return FACTORIES[request.param]
