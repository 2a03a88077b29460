"""GraphQL documents the gateway tests share."""

DASHBOARD = """
query Dashboard {
  viewer {
    member { id name email role status }
    account {
      id name domain phone tier lifecycleStage
      billingAddress { street city postalCode state country }
      accountManager { name email }
      branding { logoUrl primaryColor }
      team(first: 100) { totalCount nodes { id name email role status jobTitle } }
      invoices(first: 10) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id number status issuedAt dueAt paidAt downloadUrl
          amountDue { amount currency decimal } amountPaid { amount } total { amount }
        }
      }
      tickets(first: 10, status: [NEW, OPEN, PENDING, ON_HOLD]) {
        totalCount
        nodes { id number subject status priority group requester { name email } }
      }
      documents(first: 10) { nodes { id name type mimeType createdAt downloadUrl } }
      subscription { id plan status cancelAtPeriodEnd currentPeriodStart currentPeriodEnd }
      usage { key name unit aggregation quantityUsed includedQuantity percentUsed
              daily { date quantity } }
    }
  }
}
"""
