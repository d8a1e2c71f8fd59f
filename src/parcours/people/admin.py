# Persons, households and follows are deliberately not in the Django admin: every read of
# a person must go through parcours.core.access (scope and audit), which the admin bypasses.
# They are managed from the application's pages (people.views) and the API.
