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

Public Function SalesFlowPickFile(Optional ByVal fileFilter As String = "CSV files (*.csv),*.csv", _
                                  Optional ByVal title As String = "") As Variant
    ' The path of the file the user picks, or False when cancelled. Python passes the filter
    ' ("Description (*.csv;*.xlsx),*.csv;*.xlsx,...") and the title in the workbook's language.
    If Len(title) = 0 Then
        SalesFlowPickFile = Application.GetOpenFilename(fileFilter)
    Else
        SalesFlowPickFile = Application.GetOpenFilename(fileFilter, 1, title)
    End If
End Function

Public Function SalesFlowPickSaveFile(ByVal initialName As String, _
                                      Optional ByVal fileFilter As String = "All files (*.*),*.*", _
                                      Optional ByVal title As String = "") As Variant
    ' The path the user chooses to save a file to, or False when cancelled. Python passes the
    ' suggested name (the workbook's folder may lead it), the filter and the title in the
    ' workbook's language; it writes the file itself.
    If Len(title) = 0 Then
        SalesFlowPickSaveFile = Application.GetSaveAsFilename(initialName, fileFilter)
    Else
        SalesFlowPickSaveFile = Application.GetSaveAsFilename(initialName, fileFilter, 1, title)
    End If
End Function
