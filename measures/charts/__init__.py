"""Geometry for the server-rendered SVG charts, drawn beside a data table with the
same numbers: status.py for phase and traffic-light bars, progress over time and the
district comparison, indicators.py for an indicator's values on a true time axis."""
