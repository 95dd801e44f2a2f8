"""A short tour of lti_ops: discretization and HiPPO (the main job until ``lti-ops analyze`` exists).

Run with ``python examples/discretize_tour.py``. It discretizes

1. a batch of S4D-Lin diagonal SSM channels (H = 4 channels, N = 8 conjugate-symmetric
   modes, one step Δ per channel, as S4D does), and
2. a dense damped two-mass oscillator (a control-style MIMO system),

with the control and ML conventions, and prints the identities that say the results are
right: the eigenvalue maps, transfer-function preservation of ``tustin``/``bilinear``,
the ``d2c`` round trip, and agreement with ``scipy.signal.cont2discrete``.
"""

import numpy as np
import scipy.signal

import lti_ops


def transfer(sys, points):
    """G at each point for a dense SISO/MIMO system (NumPy reference)."""
    d = sys.to_dense()
    eye = np.eye(d.n_states)
    return np.stack([d.C @ np.linalg.solve(p * eye - d.A, d.B) + d.D for p in points], axis=-1)


def s4d_channels(H=4, N=8):
    n = np.arange(N)
    lam = np.broadcast_to(-0.5 + 1j * np.pi * n, (H, N))
    rng = np.random.default_rng(0)
    c = rng.standard_normal((H, N)) + 1j * rng.standard_normal((H, N))
    return lti_ops.Diagonal.siso(lam, np.ones((H, N), complex), c, np.ones(H), conj_sym=True)


def oscillator():
    k, c = 4.0, 0.3
    A = np.array([[0, 1, 0, 0], [-2 * k, -c, k, 0], [0, 0, 0, 1], [k, 0, -k, -c]], float)
    B = np.array([[0, 0], [1, 0], [0, 0], [0, 1]], float)
    C = np.array([[1, 0, 0, 0], [0, 0, 1, 0]], float)
    return lti_ops.StateSpace(A, B, C)


def main():
    np.set_printoptions(precision=4, suppress=True)
    ssm = s4d_channels()
    dts = np.array([1e-3, 1e-2, 3e-2, 1e-1])
    zoh = lti_ops.discretize(ssm, dts, "zoh")
    s4b = lti_ops.discretize(ssm, dts, "s4_bilinear")
    print("S4D-Lin channels:", ssm)
    print("  discrete (zoh):", zoh)
    print("  max |lam_zoh - exp(dt lam)|        :", np.abs(zoh.lam - np.exp(dts[:, None] * ssm.lam)).max())
    print("  spectral radius per channel (zoh)  :", np.abs(zoh.lam).max(axis=-1))
    print("  max |lam_zoh - lam_s4_bilinear| per channel (shrinks like dt^3):",
          np.abs(zoh.lam - s4b.lam).max(axis=-1))

    sys = oscillator()
    dt = 0.05
    print("\nDense oscillator:", sys)
    print("  continuous poles:", np.sort_complex(sys.poles()))
    for method in ("zoh", "foh", "bilinear", "euler", "backward_euler"):
        ours = lti_ops.discretize(sys, dt, method)
        ref = scipy.signal.cont2discrete((sys.A, sys.B, sys.C, sys.D), dt,
                                         {"backward_euler": "backward_diff"}.get(method, method))
        err = max(np.abs(x - y).max() for x, y in zip((ours.A, ours.B, ours.C, ours.D), ref[:4]))
        print(f"  {method:15s} max |ours - scipy.cont2discrete| = {err:.1e}")
    z = np.exp(1j * np.linspace(0.1, 3.0, 7))
    s = (2 / dt) * (z - 1) / (z + 1)
    for method in ("tustin", "bilinear"):
        d = lti_ops.discretize(sys, dt, method)
        err = np.abs(transfer(d, z) - transfer(sys, s)).max()
        back = lti_ops.d2c(d, method)
        print(f"  {method:8s}: max |G_d(z) - G_c(2/dt (z-1)/(z+1))| = {err:.1e}; "
              f"d2c round trip |A - A'| = {np.abs(back.A - sys.A).max():.1e}")
    ratio = lti_ops.discretize(sys, dt, "tustin").B[1, 0] / lti_ops.discretize(sys, dt, "bilinear").B[1, 0]
    print(f"  same G, different realizations: B_tustin / B_bilinear = {ratio:.6f} = 1/sqrt(dt) = {dt ** -0.5:.6f}")


def hippo_section():
    print("\nHiPPO-LegS, N = 64:")
    legs = lti_ops.hippo("legs", 64, C=np.linspace(1, 2, 64))
    dplr = lti_ops.nplr("legs", 64, C=np.linspace(1, 2, 64))
    s = np.array([0.5 + 3j, 2.0, 10j])
    print("  NPLR form:", dplr)
    print("  Re(lam) all -1/2:", bool(np.allclose(dplr.lam.real, -0.5)))
    print("  max |G_dplr(s) - G_dense(s)|:", f"{np.abs(transfer(dplr, s) - transfer(legs, s)).max():.1e}")
    inv = lti_ops.s4d_init("inv", 64, rng=0)
    ratio = np.sort(-inv.lam.imag) / np.sort(-lti_ops.s4d_init("legs", 64).lam.imag)
    print(f"  S4D-Inv / S4D-LegS imaginary parts: {ratio.min():.3f} ... {ratio.max():.3f}")
    disc = lti_ops.discretize(dplr, 1 / 64, "s4_bilinear")
    print("  S4 bilinear step keeps the DPLR structure:", type(disc).__name__, "rank", disc.rank)


if __name__ == "__main__":
    main()
    hippo_section()
