-- A jurisdiction's name by code. $1 code.
SELECT name, level FROM jurisdictions WHERE code = $1;
