import pytest
from zswaplab_indexes.variants import FACTORIES


@pytest.fixture(params=sorted(FACTORIES))
def make_index(request):
    return FACTORIES[request.param]
