"""Purchasing: purchase requests for parts, their approval, the purchase orders (`PO-n`) they become with
their PDF, receiving what arrives into stock at its actual cost, and the spend it adds up to."""
