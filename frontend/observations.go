package frontend

import "github.com/gin-gonic/gin"

// registerObservations mounts observations (constantes) and their charts.
func (a *App) registerObservations(u, s *gin.RouterGroup) {}
