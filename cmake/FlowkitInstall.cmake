# Installation and the exported package (filled in by the install work).
include(GNUInstallDirs)
