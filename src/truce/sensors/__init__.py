"""Sensors: machine detections no party produces (NASA FIRMS satellite fire detections), stored as
observations, compared with a learned baseline of what is normal for the place and season, and
turned into thermal anomalies that corroborate reports in verify and assess — never proof alone.

- firms: reading FIRMS files (VIIRS, MODIS, archive form);
- grid, baseline: the Poisson–gamma model of normal fire activity per cell and season;
- anomalies: The Economist's persistence rules over the improbable cell-days;
- store: observations, baselines and anomalies in the workspace; corroboration of incidents.
"""
