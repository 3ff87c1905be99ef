// Huawei Cloud KooDrive service usage at deploy time (getServiceUsage) and CapacityGuard, which fails a deployment whose planned users or space exceed what the tenant has left.
package koodrive
