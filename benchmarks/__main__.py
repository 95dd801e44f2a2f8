"""``python -m benchmarks [--quick]``: print medians and ratios (peer time / lti_ops time)."""

import argparse

from benchmarks import discretize, kernels


def main():
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    args = parser.parse_args()
    print(f"{'case':52s} {'contender':20s} {'median':>10s} {'ratio':>8s}")
    for case, peer, seconds, ratio in [*discretize.run(quick=args.quick), *kernels.run(quick=args.quick)]:
        print(f"{case:52s} {peer:20s} {seconds * 1e3:8.2f}ms {ratio:7.2f}x")


if __name__ == "__main__":
    main()
