INSERT INTO regions SELECT region, zone, sort_order FROM incoming_regions
