"""Imports of data published by others (OCDS tenders) into demands and agencies."""
