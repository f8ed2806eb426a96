"""Geometry for the server-rendered SVG charts, drawn beside a data table with the
same numbers: status.py for phase and traffic-light bars and progress over time,
indicators.py for an indicator's column chart."""
