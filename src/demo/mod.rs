//! Simulated Adobe IMS + Status API (demo mode and end-to-end tests).
