import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings")
application = get_wsgi_application()

# A missing or wrong encryption key stops the start with a clear message (core.encryption),
# rather than an error on the first page that shows a NIR.
from parcours.core.encryption import verify_keys  # noqa: E402

verify_keys()
