"""vawg: the analytics core of a platform for a police force's plan to tackle violence against
women and girls (VAWG).

Pure Python over Polars, NumPy and SciPy: files in, tables and arrays out. It imports no web
framework, touches no network and keeps no global state, so that every number the site shows can be
reproduced from the command line and checked by a reviewer.
"""

__version__ = "0.1.0"
