"""The one parser of kernel version options (zswaplab.presets.kernel_version)."""

import pytest
from zswaplab.errors import OptionError
from zswaplab.presets import kernel_version


@pytest.mark.parametrize(
    "text, version", [("6.1", (6, 1)), ("6.10", (6, 10)), ("5.15.0", (5, 15)), ("6", (6, 0)), (" 3.11 ", (3, 11))]
)
def test_major_minor(text, version):
    assert kernel_version(text) == version
    assert kernel_version("6.10") > kernel_version("6.9")  # compared as numbers, not text


@pytest.mark.parametrize("text", ["", "six", "6.x", "6.1-rc1"])
def test_anything_else_is_an_option_error(text):
    with pytest.raises(OptionError, match="not MAJOR.MINOR"):
        kernel_version(text)
