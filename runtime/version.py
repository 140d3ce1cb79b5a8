"""The version of scxmlc: one number for the compiler and the runtime, checked when a generated module loads (Machine.__init_subclass__)."""

VERSION = "0.1.0"
