from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from parcours.core.access import get_person_for, visible_persons


@login_required
def search(request):
    query = request.GET.get("q", "")
    results = visible_persons(request.user).search(query)[:50] if query else []
    return render(request, "people/search.html", {"results": results, "query": query, "title": "Personnes"})


@login_required
def detail(request, person_id: int):
    person = get_person_for(request.user, person_id, request=request)
    return render(request, "people/detail.html", {"person": person, "title": person.full_name})
