from __future__ import annotations

import pytest
from zswaplab.errors import DuplicatePartError, OptionError, UnknownPartError
from zswaplab.hookspecs import hookimpl
from zswaplab.parts import OptionSpec, PartSpec, parse_part, split_part_list
from zswaplab.plugins import PluginHost


def test_part_list_keeps_options_with_their_part():
    refs = split_part_list("zbud,zsmalloc:chain=8,kernel=6.5,ideal")
    assert [r.name for r in refs] == ["zbud", "zsmalloc", "ideal"]
    assert dict(refs[1].options) == {"chain": "8", "kernel": "6.5"}
    assert parse_part("fixed:700").options == {"arg": "700"}


def test_options_are_converted_and_range_checked():
    spec = PartSpec("x", dict, options=(OptionSpec("level", int, 3, minimum=1, maximum=9),))
    assert spec.build({"level": "5"}) == {"level": 5}
    with pytest.raises(OptionError, match="above the maximum"):
        spec.build({"level": "10"})
    with pytest.raises(OptionError, match="unknown option 'lvl'; options: level"):
        spec.build({"lvl": "1"})


def test_unknown_part_lists_available():
    host = PluginHost()
    with pytest.raises(UnknownPartError, match="available: .*ideal"):
        host.get("allocator", "nope")


class _Dup:
    @hookimpl
    def zswaplab_allocators(self):
        return [PartSpec("ideal", dict)]


def test_a_name_two_plugins_provide_is_a_failure_and_usable_qualified():
    host = PluginHost()
    host.register(_Dup(), "dup-plugin")
    assert "deflate" in host.names("compressor")  # the rest of the registry is intact
    with pytest.raises(DuplicatePartError, match="name one: ideal@dup-plugin, ideal@zswaplab"):
        host.get("allocator", "ideal")
    assert host.get("allocator", "ideal@zswaplab").plugin.name == "builtin"
    assert host.get("allocator", "ideal@dup-plugin").spec.factory is dict
    assert host.provides("allocator", "ideal") and not host.provides("allocator", "ideal@nobody")
    collisions = [f for f in host.failures if f.stage == "name collision"]
    assert sorted(f.name for f in collisions) == ["builtin", "dup-plugin"]
    assert "(registered in-process) (plugin dup-plugin) and zswaplab (plugin builtin)" in collisions[0].error


class _Broken:
    @hookimpl
    def zswaplab_compressors(self):
        raise RuntimeError("boom")


def test_plugin_whose_hook_raises_is_reported_and_others_survive():
    host = PluginHost()
    host.register(_Broken(), "broken")
    assert "deflate" in host.names("compressor")
    assert [f.name for f in host.failures] == ["broken"] and "boom" in host.failures[0].error
