"""garden's version and the name it is installed under (``garden`` is another project's on
PyPI; the command is still ``garden``)."""

VERSION = "0.1.0"
DISTRIBUTION = "garden-ssg"
