"""Polygons: a subpackage two levels below the top."""
