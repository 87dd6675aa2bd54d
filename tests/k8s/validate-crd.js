// Validates custom resources (JSON array on stdin) against their CRD's schema; exit 1 on any error.
"use strict";
const models = {
  "postgresql.cnpg.io/v1": require("@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1"),
};
const documents = JSON.parse(require("fs").readFileSync(0, "utf8"));
let failed = 0;
for (const doc of documents) {
  const group = models[doc.apiVersion];
  const Model = group && group[doc.kind];
  if (!Model) {
    console.log(`${doc.apiVersion} ${doc.kind}: no schema known`);
    failed++;
    continue;
  }
  try {
    new Model(doc).validate();
    console.log(`${doc.apiVersion} ${doc.kind} ${doc.metadata.name}: valid`);
  } catch (error) {
    console.log(`${doc.apiVersion} ${doc.kind} ${doc.metadata.name}: ${error.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
