"""zoomaudit's tests.

zoomaudit speaks httpx2; respx 0.23 mocks httpx (its httpx2 support, lundberg/respx#317, is not
released). httpx2's own migration alias makes `import httpx` and `import httpcore` inside respx
resolve to httpx2 and httpcore2, so respx's routes match httpx2 requests, answer with httpx2
responses and patch httpcore2's connection pool. The alias must be in place before anything
imports httpx, hence here, before the first conftest: respx's pytest plugin would import it
earlier still, so pyproject.toml's addopts leaves that plugin out (`-p no:respx`).
Only the test process is aliased: tests/test_dependencies.py checks the package's own imports in
a fresh interpreter.
"""

import httpx2

httpx2.alias_httpx()
