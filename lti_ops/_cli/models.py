"""The built-in model set of ``lti-ops analyze``: the HiPPO and HOPE initializations."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .params import Model

__all__ = ["BUILTIN", "builtin_models"]

#: name -> (structure, how it is built); S4's DPLR kernels use the bilinear map, S4D ZOH.
BUILTIN = {
    "HiPPO-LegS": "dplr",
    "HiPPO-FouT": "dplr",
    "S4D-Lin": "diagonal",
    "S4D-Inv": "diagonal",
    "S4D-LegS": "diagonal",
    "HOPE": "hope",
}


def builtin_models(N=64, H=8, *, seed=0):
    """The built-in layers at state size N with H channels on the default Δ range.

    The DPLR models get S4's random complex C (unit variance); Δ is log-spaced over
    :func:`lti_ops.init_dt`'s default range, the same for every model.
    """
    import lti_ops

    rng = np.random.default_rng(seed)
    dt = np.asarray(lti_ops.init_dt(H, deterministic=True), dtype=np.float64)
    models = []
    for name, structure in BUILTIN.items():
        if structure == "dplr":
            measure = name.split("-")[1].lower()
            base = lti_ops.nplr(measure, N)
            shape = (H,) + base.C.shape
            C = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)
            system = replace(base, C=C.astype(base.C.dtype))
            models.append(Model(name, structure, system, dt, "bilinear"))
        elif structure == "diagonal":
            kind = name.split("-")[1].lower()
            system = lti_ops.s4d_init(kind, N, H=H, rng=rng)
            models.append(Model(name, structure, system, dt, "zoh"))
        else:
            models.append(Model(name, structure, lti_ops.hope_init(N, H=H, rng=rng), dt, None))
    return models
