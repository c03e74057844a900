"""Puente: one DCAT-AP 3 based metadata profile for open-data portals in Ibero-America."""

__version__ = "0.1.0"
