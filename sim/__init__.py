"""peer-support-sim: does peer support lower psychiatric readmissions, or just spend money?"""

__version__ = "0.1.0"
