"""A benchmark case: one computation, its contenders, and the ratios it must reach.

Adding a case to an area module is writing a function that returns a :class:`Case`; the
runner (``python -m benchmarks``) times every case of every module in :data:`AREAS`.
"""

from dataclasses import dataclass, field

OURS = "lti_ops"


@dataclass
class Case:
    """`contenders` maps a name to a zero-argument callable; ``contenders[OURS]`` is ours.

    `bars` maps a peer's name to the speed-up over it that the issue asks for (a ratio
    peer time / our time); `repeat` overrides the runner's repeat count for slow peers.
    """

    name: str
    contenders: dict
    bars: dict = field(default_factory=dict)
    repeat: int | None = None
    note: str = ""


@dataclass
class Row:
    case: str
    contender: str
    median: float
    ratio: float
    peak: int | None = None
    out_bytes: int | None = None
    first: float | None = None
    bar: float | None = None
    quick: bool = False

    @property
    def verdict(self):
        """The bar and whether it is met; bars are set for the full sizes only."""
        if self.bar is None:
            return ""
        if self.quick:
            return f"≥ {self.bar:g}× at full size"
        return f"≥ {self.bar:g}×: " + ("met" if self.ratio >= self.bar else f"MISSED ({self.ratio / self.bar:.0%} of it)")
