from django.core.management.base import BaseCommand

from parcours.core.audit_chain import verify


class Command(BaseCommand):
    help = (
        "Scelle les traces d'audit en attente puis vérifie toute la chaîne du journal d'audit : "
        "affiche OK et la tête de chaîne, ou la position (n°, id, date) de la première trace modifiée, "
        "supprimée ou insérée. Code de sortie 1 si la chaîne est altérée."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sans-scellement",
            action="store_true",
            dest="no_seal",
            help="Vérifier sans sceller d'abord les traces en attente.",
        )

    def handle(self, *args, **options):
        result = verify(seal_first=not options["no_seal"])
        if result.ok:
            self.stdout.write(result.report())
            return
        self.stderr.write(result.report())
        raise SystemExit(1)
