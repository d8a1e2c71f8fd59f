"""Parcours: the solidarity services platform of a French département."""
