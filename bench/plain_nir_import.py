"""`parcours …` with the NIR's encryption and lookup digests replaced by the identity: the bench's
baseline for the cost of encryption on the CNAF import (`cnaf_import_encryption_cost_ratio`).

For the bench only, on a throwaway database: the product has no switch to store a NIR in clear.
`python -m bench.plain_nir_import import-cnaf flux.xml`."""

import sys

from parcours.core import encryption

# Patched before the importer (and parcours.people.nir) import these names.
encryption.encrypt = lambda text: text
encryption.decrypt = lambda token: token
encryption.lookup_digest = lambda purpose, value: value

if __name__ == "__main__":
    from parcours.cli import main

    sys.argv = ["parcours", *sys.argv[1:]]
    main()
