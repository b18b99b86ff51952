"""The portal's features, one package each (a blueprint `bp`, its templates in
`<feature>/templates/<feature>/`, its texts registered from its own module, its menu entries in
`NAV`). A package placed here is found at start: adding one touches no shared file."""
