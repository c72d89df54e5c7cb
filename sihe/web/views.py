from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "web/home.html")


def ping(request):
    """A trivial Django JSON view: the baseline that bench/api.py compares the API against."""
    return JsonResponse({"pong": True})
