Attribute VB_Name = "SalesFlow"
Option Explicit

' SalesFlow XL ribbon callbacks. Every button of the SalesFlow tab calls SalesFlowButton; its
' tag names the Python function (in salesflow_xl.excel.ribbon) that xlwings runs. The Python
' side works on the active workbook and reports in a message box.

Public Sub SalesFlowButton(control As Object)
    RunSalesFlow control.Tag
End Sub

Public Sub RunSalesFlow(ByVal action As String)
    ' RunPython comes from the xlwings add-in (installed by: salesflow install)
    Application.Run "'xlwings.xlam'!RunPython", _
        "import salesflow_xl.excel.ribbon as r; r." & action & "()"
End Sub

Public Function SalesFlowAsk(ByVal prompt As String, ByVal defaultValue As String) As String
    SalesFlowAsk = InputBox(prompt, "SalesFlow", defaultValue)
End Function

Public Function SalesFlowPickFile() As Variant
    SalesFlowPickFile = Application.GetOpenFilename("CSV files (*.csv),*.csv")
End Function
