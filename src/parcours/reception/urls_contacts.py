"""The contact-centre screen, callbacks, screen pops and the live board (included by `urls.py`)."""

from django.urls import path

from parcours.reception import views_board, views_contacts

urlpatterns = [
    path("", views_contacts.screen, name="contact_screen"),
    path("recherche/", views_contacts.lookup, name="contact_lookup"),
    path("poste/", views_contacts.choose_station, name="station"),
    path("poste/appel-entrant/", views_contacts.incoming_call, name="incoming_call"),
    path("sollicitations/<int:contact_id>/", views_contacts.contact_detail, name="contact"),
    path("sollicitations/<int:contact_id>/identifier/", views_contacts.identify, name="contact_identify"),
    path("personnes/nouvelle/", views_contacts.person_create, name="contact_person_create"),
    path("rappels/", views_contacts.callbacks, name="callbacks"),
    path("rappels/<int:callback_id>/", views_contacts.callback_action, name="callback_action"),
    path("tableau/", views_board.board, name="board"),
]
