INSERT INTO region_counties SELECT region, county FROM incoming_counties
