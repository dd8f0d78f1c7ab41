SELECT "t"."day" AS "day", CASE WHEN "t"."k0" IS NULL OR "t"."k0" IN (%(v2)s, %(v3)s) THEN "t"."k0" ELSE %(other)s END AS "k0", "t"."k1" AS "k1", SUM("t"."n") AS "n", SUM("t"."s0") AS "s0", SUM("t"."c1") AS "c1", COUNT(*) AS "g", SUM(CASE WHEN "t"."n" > 1 THEN 1 ELSE 0 END) AS "r", MIN(CASE WHEN "t"."n" > 1 THEN "t"."k2" END) AS "f" FROM (SELECT "r"."day" AS "day", NULLIF(TRIM(BOTH ' 	
  　' FROM CAST("r"."k0" AS VARCHAR)), '') AS "k0", NULLIF(TRIM(BOTH ' 	
  　' FROM CAST("r"."k1" AS VARCHAR)), '') AS "k1", NULLIF(TRIM(BOTH ' 	
  　' FROM CAST("r"."k2" AS VARCHAR)), '') AS "k2", SUM("r"."n") AS "n", SUM("r"."s0") AS "s0", SUM("r"."c1") AS "c1" FROM (SELECT "day" AS "day", "channel" AS "k0", "region" AS "k1", "sku" AS "k2", COUNT(*) AS "n", SUM("gmv") AS "s0", COUNT("note") AS "c1" FROM "shop"."daily_sku" WHERE NOT "day" IS NULL AND "day" >= %(keep_from)s AND "day" < %(keep_until)s GROUP BY "day", "channel", "region", "sku") AS "r" GROUP BY "r"."day", NULLIF(TRIM(BOTH ' 	
  　' FROM CAST("r"."k0" AS VARCHAR)), ''), NULLIF(TRIM(BOTH ' 	
  　' FROM CAST("r"."k1" AS VARCHAR)), ''), NULLIF(TRIM(BOTH ' 	
  　' FROM CAST("r"."k2" AS VARCHAR)), '')) AS "t" GROUP BY "t"."day", CASE WHEN "t"."k0" IS NULL OR "t"."k0" IN (%(v2)s, %(v3)s) THEN "t"."k0" ELSE %(other)s END, "t"."k1" LIMIT 500001
