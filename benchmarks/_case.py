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
    peer time / our time); `repeat` overrides the runner's repeat count for slow peers;
    `note` (a contender left out and why, say) is printed with the roofline notes.

    `work` is the useful work of one call, in the unit of `peak` (a key of
    :data:`benchmarks._peaks.PEAKS`): floating-point operations for a ``GFLOP/s`` peak,
    bytes that must cross the memory bus for a ``GB/s`` one. The report prints every
    contender's achieved rate and its percentage of that peak; `roofline` explains, where
    ours stays under 25 % of it, what bounds it instead.

    `truth`, where given, is a zero-argument callable returning the exact result (float64
    from the same inputs); each contender's error is then max |out - truth| / max |truth|.
    """

    name: str
    contenders: dict
    bars: dict = field(default_factory=dict)
    repeat: int | None = None
    note: str = ""
    work: float | None = None
    peak: str | None = None
    roofline: str = ""
    truth: object = None


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
    rate: float | None = None  # achieved GFLOP/s or GB/s
    peak_rate: float | None = None  # the machine's peak in the same unit
    unit: str = ""
    error: float | None = None

    @property
    def percent_of_peak(self):
        return None if self.rate is None or not self.peak_rate else 100 * self.rate / self.peak_rate

    @property
    def throughput(self):
        """'12.3 GFLOP/s (14 % of fma_f32)', or '' where the case gives no work count."""
        if self.rate is None:
            return ""
        pct = self.percent_of_peak
        return f"{self.rate:.1f} {self.unit}" + (f" ({pct:.0f} %)" if pct is not None else "")

    @property
    def verdict(self):
        """The bar and whether it is met; bars are set for the full sizes only."""
        if self.bar is None:
            return ""
        if self.quick:
            return f"≥ {self.bar:g}× at full size"
        return f"≥ {self.bar:g}×: " + ("met" if self.ratio >= self.bar else f"MISSED ({self.ratio / self.bar:.0%} of it)")


def optional_peers(**makers):
    """{name: callable} of the peers whose library imports: each maker builds its
    zero-argument callable, or raises ImportError (torch and JAX are optional)."""
    peers = {}
    for name, make in makers.items():
        try:
            peers[name] = make()
        except ImportError:
            pass
    return peers
