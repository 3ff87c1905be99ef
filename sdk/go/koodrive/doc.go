// Huawei Cloud KooDrive service usage at deploy time (getServiceUsage), CapacityGuard, which fails a deployment whose planned users or space exceed what the tenant has left, User, a KooDrive user that judges its own seat, and Space, a department or personal space that judges its GB.
package koodrive
