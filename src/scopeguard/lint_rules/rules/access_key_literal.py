"""SG011: a string literal that looks like an AWS access key ID (``AKIA…``, ``ASIA…``)."""

from __future__ import annotations

from collections.abc import Iterator

from .._analysis import Site
from .._rule import Context, Finding, Rule


class AccessKeyLiteral(Rule):
    code = "SG011"
    VALID = (
        '''\
EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key is not a secret
''',
        '''\
PREFIX = "AKIA"  # too short to be a key
''',
    )
    # Split so that this module does not itself contain a key-shaped literal.
    INVALID = (
        'DEPLOY_KEY = "AKIA' + 'Z4Q5EXAMPLEKEY7Q"  # SG011\n',
        'def temporary():\n    return {"AccessKeyId": "ASIA' + 'QWERTYUIOPASDFGH"}  # SG011\n',
    )

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        for site in sites:
            if site.kind == "key-literal" and site.value is not None:
                yield self.finding(site, f"{site.value[:4]}…{site.value[-4:]}")
