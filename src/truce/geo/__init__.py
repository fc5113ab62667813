"""Reference geography: pure functions over shapely geometries, no database.

- projection: the metric (azimuthal equidistant) and equal-area projections for Ukraine
- admin: the 27 admin-1 units, name lookup, point-in-oblast, Ukraine's outline
- control: control snapshots (DeepStateMap-style occupied areas), loading and bundled samples
- contactline: the contact line on a date, derived from a snapshot
- zones: one-sided buffers, circles, oblast ∩ controlled area; fast point-in-zone tests
- territory: territorial change between snapshots, km² per party per oblast
- gazetteer: settlement names and coordinates

All geometries in and out are WGS84 lon/lat; see docs/geography.md.
"""
