// The dashboard's selection on an account: shared by the dashboard screen and GraphiQL,
// which opens with it preloaded.
export const DASHBOARD_SELECTION = `
  id name tier
  accountManager { name email }
  subscription { plan status currentPeriodEnd cancelAtPeriodEnd }
  invoices(first: 5, status: OPEN) {
    nodes { id number status amountDue { amount decimal currency } dueAt downloadUrl } }
  tickets(first: 5, status: [NEW, OPEN, PENDING, ON_HOLD]) {
    nodes { id number subject status group estimatedResolutionAt } }
  usage { key name unit quantityUsed includedQuantity percentUsed }
  documents(first: 5) { nodes { id name type createdAt downloadUrl } }`;

export const DASHBOARD_QUERY = `query Dashboard {
  viewer {
    member { name email role }
    account {${DASHBOARD_SELECTION.replace(/\n/g, "\n    ")}
    }
  }
}
`;
