"""Tenants and the acting caller: who is asking, for which tenant, linked to which employee."""
