/** The audit sink: an append-only, hash-chained record of every gateway event. */
package dev.tollgate.audit;
