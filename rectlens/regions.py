"""Matching the unit names in uploads to the region master (地区表)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rectlens.ingest.values import BadValue, suggest
from rectlens.text import squash

_SUFFIXES = ("自治州", "地区", "市", "县", "区", "州", "盟", "旗")


def stem(name: str) -> str:
    """The name without a trailing 市/县/区 (kept when that would leave one character)."""
    text = squash(name)
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) - len(suffix) >= 2:
            return text[: -len(suffix)]
    return text


@dataclass
class RegionMaster:
    """The units (with zone and counties) that uploads are matched against."""

    zones: dict[str, str] = field(default_factory=dict)  # unit -> zone
    counties: dict[str, list[str]] = field(default_factory=dict)  # unit -> counties

    def __post_init__(self) -> None:
        self._exact = {squash(name): name for name in self.zones}
        self._by_stem: dict[str, list[str]] = {}
        for name in self.zones:
            self._by_stem.setdefault(stem(name), []).append(name)

    @property
    def loaded(self) -> bool:
        return bool(self.zones)

    @property
    def has_counties(self) -> bool:
        return any(self.counties.values())

    def unit(self, raw: str) -> str:
        """The master's name for `raw`, or BadValue naming the nearest units."""
        text = squash(raw)
        if not self.loaded:
            return text
        if text in self._exact:
            return self._exact[text]
        candidates = self._by_stem.get(stem(text), [])
        if len(candidates) == 1:
            return candidates[0]
        near = suggest(text, list(self.zones)) or suggest(stem(text), [stem(n) for n in self.zones])
        hint = f"（是否为：{'、'.join(near)}？）" if near else ""
        raise BadValue("地区表中的地区名称" + hint)

    def county(self, unit: str, raw: str) -> str:
        """The master's name of a county of `unit`; BadValue when it is not one."""
        text = squash(raw)
        known = self.counties.get(unit) or []
        if not self.has_counties:
            return text
        for county in known:
            if squash(county) == text or stem(county) == stem(text):
                return county
        near = suggest(text, known)
        hint = f"（是否为：{'、'.join(near)}？）" if near else ""
        listed = "、".join(known[:12]) + ("等" if len(known) > 12 else "")
        raise BadValue(f"{unit}的县区之一：{listed}{hint}" if known else f"地区表中{unit}没有县区")
