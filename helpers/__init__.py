"""Helpers for the course *Everything Is a Mapping*: data, models, training, plotting, widgets, checks.

Modules are imported on demand (``from helpers import data``) so that importing the
package itself stays cheap and does not start TensorFlow.
"""

__version__ = "0.1.0"
