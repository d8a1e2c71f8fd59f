"""URLs of the aids' payments (included by `aids.urls`): /aides/paiements/…"""

from django.urls import path

from parcours.aids import views_payments as views

urlpatterns = [
    path("paiements/", views.index, name="payments"),
    path("paiements/lots/nouveau/", views.batch_new, name="batch_new"),
    path("paiements/lots/<int:batch_id>/", views.batch, name="batch"),
    path("paiements/lots/<int:batch_id>/sepa.xml", views.batch_sepa, name="batch_sepa"),
    path("paiements/lots/<int:batch_id>/comptabilite.csv", views.batch_csv, name="batch_csv"),
    path("paiements/lots/<int:batch_id>/payer/", views.batch_pay, name="batch_pay"),
    path("paiements/lots/<int:batch_id>/annuler/", views.batch_cancel, name="batch_cancel"),
    path("paiements/demandes/<int:application_id>/", views.application_payments, name="application_payments"),
    path("paiements/demandes/<int:application_id>/compte/", views.payee, name="payee"),
    path("paiements/demandes/<int:application_id>/programmer/", views.start_payment, name="start_payment"),
    path(
        "paiements/demandes/<int:application_id>/justificatif/",
        views.certificates_review,
        name="certificates_review",
    ),
    path("paiements/demandes/<int:application_id>/indu/", views.recovery_new, name="recovery_new"),
    path("paiements/indus/<int:recovery_id>/solder/", views.recovery_settle, name="recovery_settle"),
]
