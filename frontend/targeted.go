package frontend

import "github.com/gin-gonic/gin"

// registerTargeted mounts targeted notes (transmissions ciblées) and the handover view (relève).
func (a *App) registerTargeted(u, s *gin.RouterGroup) {}
