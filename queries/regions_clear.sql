DELETE FROM region_counties;
DELETE FROM regions;
