foo.bar.baz
