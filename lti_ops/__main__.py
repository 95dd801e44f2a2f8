"""``python -m lti_ops``: the ``lti-ops`` command."""

from lti_ops._cli import main

main(prog_name="lti-ops")
